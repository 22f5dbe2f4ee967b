-- CreateEnum
CREATE TYPE "AttemptStatus" AS ENUM ('PENDING', 'AUTHORIZED', 'FAILED');

-- CreateTable
CREATE TABLE "OAuthAttempt" (
    "id" UUID NOT NULL,
    "tenantId" UUID NOT NULL,
    "accountId" TEXT NOT NULL,
    "targetKind" TEXT NOT NULL,
    "targetId" UUID,
    "loginHint" TEXT,
    "status" "AttemptStatus" NOT NULL DEFAULT 'PENDING',
    "email" TEXT,
    "credentialId" UUID,
    "errorCode" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "completedAt" TIMESTAMP(3),

    CONSTRAINT "OAuthAttempt_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "OAuthAttempt_tenantId_accountId_idx" ON "OAuthAttempt"("tenantId", "accountId");

-- CreateIndex
CREATE INDEX "OAuthAttempt_expiresAt_idx" ON "OAuthAttempt"("expiresAt");

-- AddForeignKey
ALTER TABLE "OAuthAttempt" ADD CONSTRAINT "OAuthAttempt_tenantId_fkey" FOREIGN KEY ("tenantId") REFERENCES "Tenant"("id") ON DELETE CASCADE ON UPDATE CASCADE;
