/**
 * The SMTP protocol: one {@link org.posthorn.smtp.session.SmtpSession} per connection, driven
 * by the network layer, handing messages to the queue. Private to the bundle.
 */
package org.posthorn.smtp.session;
