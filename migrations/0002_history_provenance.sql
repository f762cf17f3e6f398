ALTER TABLE "hss_internal"."image_baseline_history" ADD COLUMN "scanned_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "hss_internal"."image_baseline_history" ADD COLUMN "source_api" text;--> statement-breakpoint
ALTER TABLE "hss_internal"."image_rule_history" ADD COLUMN "scanned_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "hss_internal"."image_rule_history" ADD COLUMN "source_api" text;