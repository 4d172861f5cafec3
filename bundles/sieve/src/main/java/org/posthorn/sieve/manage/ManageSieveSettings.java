package org.posthorn.sieve.manage;

/**
 * What a ManageSieve session enforces.
 *
 * @param plaintextAuthAllowed accept AUTHENTICATE before STARTTLS (the password travels in clear)
 * @param maxScriptSize        largest script (bytes) PUTSCRIPT and CHECKSCRIPT accept
 * @param maxScripts           most scripts one account may store
 * @param maxFailedLogins      failed AUTHENTICATE attempts after which the session is closed
 */
public record ManageSieveSettings(boolean plaintextAuthAllowed, int maxScriptSize, int maxScripts, int maxFailedLogins) {
}
