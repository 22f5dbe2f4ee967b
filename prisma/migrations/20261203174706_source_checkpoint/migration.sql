-- AlterTable
ALTER TABLE "MessageSource" DROP COLUMN "lastUid",
DROP COLUMN "uidValidity",
ADD COLUMN     "checkpoint" JSONB;
