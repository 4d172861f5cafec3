package org.posthorn.api.mail;

/** The RET parameter of RFC 3461 §4.3: what a delivery status notification carries back. */
public enum DsnReturn { FULL, HEADERS }
