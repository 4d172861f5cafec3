package org.posthorn.api.mail;

/** The NOTIFY parameter values of RFC 3461 §4.1. */
public enum DsnNotify { NEVER, SUCCESS, FAILURE, DELAY }
