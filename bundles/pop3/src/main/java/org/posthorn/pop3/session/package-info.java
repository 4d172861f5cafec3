/**
 * The POP3 protocol (RFC 1939, RFC 2449 CAPA, RFC 2595 STLS, RFC 5034 SASL): one
 * {@link org.posthorn.pop3.session.Pop3Session} per connection, driven by the network layer's
 * callbacks; the {@link org.posthorn.pop3.session.PostOffice} holds what the sessions share
 * (services, settings, maildrop locks, the login throttle). Private to the bundle.
 */
package org.posthorn.pop3.session;
