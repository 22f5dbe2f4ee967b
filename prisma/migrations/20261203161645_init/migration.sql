-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "Platform" AS ENUM ('CONNECT', 'FORGE');

-- CreateEnum
CREATE TYPE "CredentialStatus" AS ENUM ('AUTHORIZED', 'NEEDS_REAUTHORIZATION', 'REVOKED');

-- CreateEnum
CREATE TYPE "SourceType" AS ENUM ('IMAP_GMAIL_OAUTH', 'IMAP');

-- CreateEnum
CREATE TYPE "OutboundType" AS ENUM ('SMTP_GMAIL_OAUTH', 'SMTP');

-- CreateEnum
CREATE TYPE "ConnectionStatus" AS ENUM ('NEW', 'AUTHORIZED', 'NEEDS_REAUTHORIZATION', 'ERROR', 'DISABLED');

-- CreateEnum
CREATE TYPE "AfterProcessing" AS ENUM ('LEAVE', 'MARK_READ', 'MOVE');

-- CreateEnum
CREATE TYPE "LedgerState" AS ENUM ('PENDING', 'DONE', 'IGNORED', 'FAILED', 'QUARANTINED');

-- CreateTable
CREATE TABLE "Tenant" (
    "id" UUID NOT NULL,
    "platform" "Platform" NOT NULL DEFAULT 'CONNECT',
    "clientKey" TEXT NOT NULL,
    "forgeInstallationId" TEXT,
    "baseUrl" TEXT NOT NULL,
    "displayUrl" TEXT,
    "productType" TEXT NOT NULL DEFAULT 'jira',
    "description" TEXT,
    "serverVersion" TEXT,
    "pluginsVersion" TEXT,
    "sharedSecretCipher" BYTEA,
    "sharedSecretKeyId" TEXT,
    "installPayload" JSONB NOT NULL DEFAULT '{}',
    "installedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "uninstalledAt" TIMESTAMP(3),
    "removeAfter" TIMESTAMP(3),

    CONSTRAINT "Tenant_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TenantSetting" (
    "tenantId" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "value" JSONB NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "TenantSetting_pkey" PRIMARY KEY ("tenantId","key")
);

-- CreateTable
CREATE TABLE "OAuthCredential" (
    "id" UUID NOT NULL,
    "tenantId" UUID NOT NULL,
    "provider" TEXT NOT NULL DEFAULT 'google',
    "email" TEXT NOT NULL,
    "hostedDomain" TEXT,
    "scopes" TEXT[],
    "refreshTokenCipher" BYTEA,
    "refreshTokenKeyId" TEXT,
    "status" "CredentialStatus" NOT NULL DEFAULT 'AUTHORIZED',
    "statusReason" TEXT,
    "authorizedByAccountId" TEXT,
    "authorizedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "OAuthCredential_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MessageSource" (
    "id" UUID NOT NULL,
    "tenantId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "type" "SourceType" NOT NULL,
    "username" TEXT,
    "host" TEXT,
    "port" INTEGER,
    "tls" BOOLEAN NOT NULL DEFAULT true,
    "passwordCipher" BYTEA,
    "passwordKeyId" TEXT,
    "credentialId" UUID,
    "folder" TEXT NOT NULL DEFAULT 'INBOX',
    "projectId" TEXT,
    "issueTypeId" TEXT,
    "defaultReporterAccountId" TEXT,
    "afterProcessing" "AfterProcessing" NOT NULL DEFAULT 'LEAVE',
    "moveToFolder" TEXT,
    "keepOriginal" BOOLEAN NOT NULL DEFAULT false,
    "maxAttachmentBytes" INTEGER NOT NULL DEFAULT 10485760,
    "maxAttachments" INTEGER NOT NULL DEFAULT 20,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "status" "ConnectionStatus" NOT NULL DEFAULT 'NEW',
    "statusReason" TEXT,
    "lastCheckedAt" TIMESTAMP(3),
    "uidValidity" BIGINT,
    "lastUid" BIGINT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "MessageSource_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MessageOutbound" (
    "id" UUID NOT NULL,
    "tenantId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "type" "OutboundType" NOT NULL,
    "username" TEXT,
    "fromName" TEXT,
    "host" TEXT,
    "port" INTEGER,
    "tls" BOOLEAN NOT NULL DEFAULT true,
    "passwordCipher" BYTEA,
    "passwordKeyId" TEXT,
    "credentialId" UUID,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "status" "ConnectionStatus" NOT NULL DEFAULT 'NEW',
    "statusReason" TEXT,
    "lastCheckedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "MessageOutbound_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LedgerEntry" (
    "id" UUID NOT NULL,
    "tenantId" UUID NOT NULL,
    "sourceId" UUID NOT NULL,
    "messageKey" TEXT NOT NULL,
    "messageId" TEXT,
    "uidValidity" BIGINT,
    "uid" BIGINT,
    "state" "LedgerState" NOT NULL DEFAULT 'PENDING',
    "issueKey" TEXT,
    "commentId" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "completedAt" TIMESTAMP(3),

    CONSTRAINT "LedgerEntry_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Activity" (
    "id" UUID NOT NULL,
    "tenantId" UUID NOT NULL,
    "sourceId" UUID,
    "outboundId" UUID,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "outcome" TEXT NOT NULL,
    "reason" TEXT,
    "issueKey" TEXT,
    "messageId" TEXT,
    "subject" TEXT,
    "sender" TEXT,
    "details" JSONB,

    CONSTRAINT "Activity_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Tenant_clientKey_key" ON "Tenant"("clientKey");

-- CreateIndex
CREATE UNIQUE INDEX "Tenant_forgeInstallationId_key" ON "Tenant"("forgeInstallationId");

-- CreateIndex
CREATE INDEX "Tenant_removeAfter_idx" ON "Tenant"("removeAfter");

-- CreateIndex
CREATE UNIQUE INDEX "OAuthCredential_tenantId_provider_email_key" ON "OAuthCredential"("tenantId", "provider", "email");

-- CreateIndex
CREATE INDEX "MessageSource_tenantId_idx" ON "MessageSource"("tenantId");

-- CreateIndex
CREATE UNIQUE INDEX "MessageSource_tenantId_name_key" ON "MessageSource"("tenantId", "name");

-- CreateIndex
CREATE INDEX "MessageOutbound_tenantId_idx" ON "MessageOutbound"("tenantId");

-- CreateIndex
CREATE UNIQUE INDEX "MessageOutbound_tenantId_name_key" ON "MessageOutbound"("tenantId", "name");

-- CreateIndex
CREATE INDEX "LedgerEntry_tenantId_sourceId_state_idx" ON "LedgerEntry"("tenantId", "sourceId", "state");

-- CreateIndex
CREATE INDEX "LedgerEntry_tenantId_messageId_idx" ON "LedgerEntry"("tenantId", "messageId");

-- CreateIndex
CREATE UNIQUE INDEX "LedgerEntry_sourceId_messageKey_key" ON "LedgerEntry"("sourceId", "messageKey");

-- CreateIndex
CREATE INDEX "Activity_tenantId_sourceId_at_idx" ON "Activity"("tenantId", "sourceId", "at");

-- CreateIndex
CREATE INDEX "Activity_tenantId_outboundId_at_idx" ON "Activity"("tenantId", "outboundId", "at");

-- AddForeignKey
ALTER TABLE "TenantSetting" ADD CONSTRAINT "TenantSetting_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OAuthCredential" ADD CONSTRAINT "OAuthCredential_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MessageSource" ADD CONSTRAINT "MessageSource_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MessageSource" ADD CONSTRAINT "MessageSource_credentialId_fkey" FOREIGN KEY ("credentialId") REFERENCES "OAuthCredential"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MessageOutbound" ADD CONSTRAINT "MessageOutbound_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MessageOutbound" ADD CONSTRAINT "MessageOutbound_credentialId_fkey" FOREIGN KEY ("credentialId") REFERENCES "OAuthCredential"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LedgerEntry" ADD CONSTRAINT "LedgerEntry_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LedgerEntry" ADD CONSTRAINT "LedgerEntry_sourceId_fkey" FOREIGN KEY ("sourceId") REFERENCES "MessageSource"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Activity" ADD CONSTRAINT "Activity_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Activity" ADD CONSTRAINT "Activity_sourceId_fkey" FOREIGN KEY ("sourceId") REFERENCES "MessageSource"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Activity" ADD CONSTRAINT "Activity_outboundId_fkey" FOREIGN KEY ("outboundId") REFERENCES "MessageOutbound"("id") ON DELETE CASCADE ON UPDATE CASCADE;
