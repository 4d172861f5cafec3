/**
 * The plugin SPI: a {@link org.posthorn.api.filter.MessageFilter} service sees every message
 * the queue dispatches and may change headers and recipients, reject, or drop it.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package org.posthorn.api.filter;
