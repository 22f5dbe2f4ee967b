-- AlterTable
ALTER TABLE "MessageSource" ADD COLUMN     "acceptedLists" TEXT[] DEFAULT ARRAY[]::TEXT[];
