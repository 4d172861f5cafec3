/**
 * Mail values shared by every Posthorn bundle: addresses, the SMTP envelope and a
 * re-readable message source. All types here are immutable and thread-safe unless a
 * type says otherwise.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.posthorn.api.mail;
