CREATE TABLE "hss"."image_baseline_daily_facts" (
	"version_id" bigint NOT NULL,
	"observed_at" timestamp with time zone NOT NULL,
	"day" date NOT NULL,
	"check_rule_num" integer,
	"failed_rule_num" integer,
	"result_key" uuid NOT NULL,
	"severity" text,
	CONSTRAINT "image_baseline_daily_facts_pkey" PRIMARY KEY("day","result_key")
);
--> statement-breakpoint
CREATE TABLE "hss"."posture_daily_facts" (
	"day" date NOT NULL,
	"group_key" uuid NOT NULL,
	"images" integer NOT NULL,
	"images_failing" integer NOT NULL,
	"failed_items" bigint NOT NULL,
	"check_items" bigint NOT NULL,
	"project_id" text NOT NULL,
	"enterprise_project_id" text NOT NULL,
	"image_type" text NOT NULL,
	"check_name" text NOT NULL,
	"check_type" text NOT NULL,
	"standard" text NOT NULL,
	"severity" text,
	CONSTRAINT "posture_daily_facts_pkey" PRIMARY KEY("day","group_key")
);
--> statement-breakpoint
CREATE TABLE "hss"."result_keys" (
	"result_key" uuid PRIMARY KEY NOT NULL,
	"project_id" text NOT NULL,
	"enterprise_project_id" text NOT NULL,
	"image_type" text NOT NULL,
	"image_id" text NOT NULL,
	"check_name" text NOT NULL,
	"check_type" text NOT NULL,
	"standard" text NOT NULL
);
--> statement-breakpoint
CREATE INDEX "image_baseline_daily_facts_key_day_idx" ON "hss"."image_baseline_daily_facts" USING btree ("result_key","day");--> statement-breakpoint
CREATE INDEX "result_keys_image_idx" ON "hss"."result_keys" USING btree ("project_id","enterprise_project_id","image_type","image_id");--> statement-breakpoint
CREATE INDEX "sync_scope_runs_scope_started_idx" ON "hss"."sync_scope_runs" USING btree ("project_id","enterprise_project_id","image_type","started_at" DESC NULLS LAST);