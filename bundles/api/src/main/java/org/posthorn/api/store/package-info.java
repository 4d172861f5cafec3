/**
 * Mailbox storage: users' mailboxes and messages, addressed by UID (RFC 9051 §2.3.1.1),
 * and the change events IMAP IDLE and unsolicited responses are built from.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.2.0")
package org.posthorn.api.store;
