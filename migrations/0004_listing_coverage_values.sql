CREATE TABLE "hss_internal"."image_rule_values" (
	"project_id" text NOT NULL,
	"enterprise_project_id" text NOT NULL,
	"image_type" text NOT NULL,
	"image_id" text NOT NULL,
	"check_name" text NOT NULL,
	"check_type" text NOT NULL,
	"standard" text NOT NULL,
	"check_rule_id" text NOT NULL,
	"rule_result_key" uuid GENERATED ALWAYS AS (md5(length(project_id)::text || ':' || project_id || length(enterprise_project_id)::text || ':' || enterprise_project_id || length(image_type)::text || ':' || image_type || length(image_id)::text || ':' || image_id || length(check_name)::text || ':' || check_name || length(check_type)::text || ':' || check_type || length(standard)::text || ':' || standard || length(check_rule_id)::text || ':' || check_rule_id)::uuid) STORED NOT NULL,
	"rule_key" uuid GENERATED ALWAYS AS (md5(length(check_name)::text || ':' || check_name || length(check_type)::text || ':' || check_type || length(standard)::text || ':' || standard || length(check_rule_id)::text || ':' || check_rule_id)::uuid) STORED NOT NULL,
	"check_info_list" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"version_id" bigint,
	"fetched_at" timestamp with time zone NOT NULL,
	"run_id" uuid,
	CONSTRAINT "image_rule_values_pkey" PRIMARY KEY("rule_result_key")
);
--> statement-breakpoint
ALTER TABLE "hss_internal"."image_refs" ADD COLUMN "listed_image_type" text;--> statement-breakpoint
ALTER TABLE "hss_internal"."image_refs" ADD COLUMN "severity_level" text;--> statement-breakpoint
ALTER TABLE "hss_internal"."image_refs" ADD COLUMN "scan_failed_desc" text;--> statement-breakpoint
ALTER TABLE "hss_internal"."image_refs" ADD COLUMN "scan_failed_code" text;--> statement-breakpoint
ALTER TABLE "hss_internal"."image_refs" ADD COLUMN "non_scan_reason" text;--> statement-breakpoint
ALTER TABLE "hss_internal"."image_refs" ADD COLUMN "latest_version" text;--> statement-breakpoint
ALTER TABLE "hss_internal"."image_refs" ADD COLUMN "latest_sync_time" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "hss_internal"."image_refs" ADD COLUMN "instance_name" text;--> statement-breakpoint
ALTER TABLE "hss_internal"."image_refs" ADD COLUMN "is_multiple_arch" boolean;--> statement-breakpoint
ALTER TABLE "hss_internal"."image_refs" ADD COLUMN "cicd_name" text;--> statement-breakpoint
ALTER TABLE "hss_internal"."image_refs" ADD COLUMN "pipeline_type" text;--> statement-breakpoint
ALTER TABLE "hss_internal"."image_refs" ADD COLUMN "local_image_type" text;--> statement-breakpoint
ALTER TABLE "hss_internal"."image_refs" ADD COLUMN "agent_id" text;--> statement-breakpoint
ALTER TABLE "hss_internal"."image_refs" ADD COLUMN "host_num" integer;--> statement-breakpoint
ALTER TABLE "hss_internal"."image_refs" ADD COLUMN "raw" jsonb;--> statement-breakpoint
ALTER TABLE "hss_internal"."sync_runs" ADD COLUMN "coverage" jsonb;--> statement-breakpoint
CREATE INDEX "image_rule_values_image_idx" ON "hss_internal"."image_rule_values" USING btree ("project_id","enterprise_project_id","image_type","image_id");