/** TLS key material for every listener that speaks TLS (STARTTLS or implicit). */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.posthorn.api.tls;
