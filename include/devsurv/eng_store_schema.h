/*
 * eng_store_schema.h - numbered schema migrations (internal to the store).
 */
#ifndef DEVSURV_ENG_STORE_SCHEMA_H
#define DEVSURV_ENG_STORE_SCHEMA_H

/* Number of migrations (= the schema version this build writes). */
int eng_store_schema_latest(void);

/* SQL of migration i (1..latest), static; NULL outside that range. */
const char *eng_store_schema_migration(int i);

#endif
