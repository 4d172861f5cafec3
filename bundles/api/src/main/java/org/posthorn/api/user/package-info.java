/**
 * Accounts, address resolution and authentication: who is local, who may log in, and which
 * accounts a recipient address reaches.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.posthorn.api.user;
