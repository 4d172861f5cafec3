/**
 * Database plumbing shared by bundles that keep state in the {@code javax.sql.DataSource}
 * service: each bundle owns its schema and migrates it with {@link org.posthorn.api.db.SchemaMigrator}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.posthorn.api.db;
