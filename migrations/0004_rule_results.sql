CREATE TABLE "hss"."image_rule_history" (
	"version_id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "hss"."image_rule_history_version_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"project_id" text NOT NULL,
	"enterprise_project_id" text NOT NULL,
	"image_type" text NOT NULL,
	"image_id" text NOT NULL,
	"check_name" text NOT NULL,
	"check_type" text NOT NULL,
	"standard" text NOT NULL,
	"check_rule_id" text NOT NULL,
	"check_rule_name" text,
	"severity" text,
	"scan_result" text NOT NULL,
	"valid_from" timestamp with time zone NOT NULL,
	"valid_to" timestamp with time zone,
	"opened_run_id" uuid,
	"closed_run_id" uuid,
	"rule_result_key" uuid GENERATED ALWAYS AS (md5(length(project_id)::text || ':' || project_id || length(enterprise_project_id)::text || ':' || enterprise_project_id || length(image_type)::text || ':' || image_type || length(image_id)::text || ':' || image_id || length(check_name)::text || ':' || check_name || length(check_type)::text || ':' || check_type || length(standard)::text || ':' || standard || length(check_rule_id)::text || ':' || check_rule_id)::uuid) STORED NOT NULL,
	"rule_key" uuid GENERATED ALWAYS AS (md5(length(check_name)::text || ':' || check_name || length(check_type)::text || ':' || check_type || length(standard)::text || ':' || standard || length(check_rule_id)::text || ':' || check_rule_id)::uuid) STORED NOT NULL,
	CONSTRAINT "image_rule_history_valid_range_check" CHECK (valid_to IS NULL OR valid_to > valid_from)
);
--> statement-breakpoint
CREATE TABLE "hss"."image_rule_state" (
	"project_id" text NOT NULL,
	"enterprise_project_id" text NOT NULL,
	"image_type" text NOT NULL,
	"image_id" text NOT NULL,
	"summary_signature" text NOT NULL,
	"rule_detail" text NOT NULL,
	"rule_count" integer DEFAULT 0 NOT NULL,
	"fetched_at" timestamp with time zone NOT NULL,
	"run_id" uuid,
	CONSTRAINT "image_rule_state_pkey" PRIMARY KEY("project_id","enterprise_project_id","image_type","image_id"),
	CONSTRAINT "image_rule_state_rule_detail_check" CHECK (rule_detail IN ('failed', 'all'))
);
--> statement-breakpoint
CREATE TABLE "hss"."rule_descriptions" (
	"check_name" text NOT NULL,
	"check_type" text NOT NULL,
	"standard" text NOT NULL,
	"check_rule_id" text NOT NULL,
	"rule_key" uuid GENERATED ALWAYS AS (md5(length(check_name)::text || ':' || check_name || length(check_type)::text || ':' || check_type || length(standard)::text || ':' || standard || length(check_rule_id)::text || ':' || check_rule_id)::uuid) STORED NOT NULL,
	"description" text,
	"reference" text,
	"audit" text,
	"remediation" text,
	"check_info_list" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"fetched_at" timestamp with time zone NOT NULL,
	CONSTRAINT "rule_descriptions_pkey" PRIMARY KEY("rule_key")
);
--> statement-breakpoint
ALTER TABLE "hss"."sync_runs" ADD COLUMN "rule_images_due" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "hss"."sync_runs" ADD COLUMN "rule_images_fetched" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "hss"."sync_runs" ADD COLUMN "rule_images_pending" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "hss"."sync_runs" ADD COLUMN "rule_versions_opened" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "hss"."sync_runs" ADD COLUMN "rule_versions_closed" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "hss"."sync_runs" ADD COLUMN "rule_descriptions_fetched" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "image_rule_history_open_key_idx" ON "hss"."image_rule_history" USING btree ("rule_result_key") WHERE valid_to IS NULL;--> statement-breakpoint
CREATE INDEX "image_rule_history_image_idx" ON "hss"."image_rule_history" USING btree ("project_id","enterprise_project_id","image_type","image_id");--> statement-breakpoint
CREATE INDEX "image_rule_history_key_from_idx" ON "hss"."image_rule_history" USING btree ("rule_result_key","valid_from");--> statement-breakpoint
CREATE INDEX "image_rule_history_open_rule_idx" ON "hss"."image_rule_history" USING btree ("rule_key") WHERE valid_to IS NULL;