-- AlterTable
ALTER TABLE "MessageOutbound" ADD COLUMN     "statusDetail" TEXT;

-- AlterTable
ALTER TABLE "MessageSource" ADD COLUMN     "statusDetail" TEXT;
