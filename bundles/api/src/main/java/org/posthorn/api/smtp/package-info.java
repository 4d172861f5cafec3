/**
 * SMTP-time policy: an {@link org.posthorn.api.smtp.SmtpPolicy} service is asked by the SMTP
 * server at each RCPT TO and at the end of the data, before anything is accepted, so it can
 * answer with a temporary or permanent error (greylisting, SPF/DMARC rejection) instead of a
 * bounce after acceptance, and add header fields (Authentication-Results, Received-SPF).
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.posthorn.api.smtp;
