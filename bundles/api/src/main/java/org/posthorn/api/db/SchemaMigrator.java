package org.posthorn.api.db;

import java.sql.SQLException;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Applies a bundle's numbered SQL scripts to the database, each exactly once.
 *
 * <p>Scripts are resources {@code folder/1.sql}, {@code folder/2.sql}, ... found through the
 * given class loader, read in order until the first missing number. Statements in a script
 * are separated by a line holding only {@code ;}, or by {@code ;} at the end of a line.
 * Applied versions are recorded per {@code owner}; all pending scripts of one call run in
 * one transaction, so a failure leaves the schema as it was.
 *
 * <p>Safe to call concurrently from several bundles or several nodes sharing the database:
 * migrations are serialised by a database lock.
 */
@ProviderType
public interface SchemaMigrator {

    /**
     * Brings {@code owner}'s schema up to the newest script.
     *
     * @param owner  a stable name for the schema, by convention the bundle's symbolic name
     * @param loader the class loader that sees the scripts (the caller's bundle)
     * @param folder the resource folder, without leading or trailing slash
     * @return the schema version after migration (0 if there are no scripts)
     * @throws SQLException if a script fails; nothing of that call was applied
     */
    int migrate(String owner, ClassLoader loader, String folder) throws SQLException;
}
