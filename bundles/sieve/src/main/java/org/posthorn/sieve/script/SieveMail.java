package org.posthorn.sieve.script;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/** The message a script runs on, for one recipient. */
public interface SieveMail {

    /** The values of every header field {@code name} (case-insensitive), unfolded, top to bottom. */
    List<String> header(String name);

    /** The envelope sender, {@code ""} for the null reverse-path (RFC 5228 §5.4). */
    String envelopeFrom();

    /** The envelope recipient the script runs for. */
    String envelopeTo();

    /** The message size in bytes. */
    long size();

    /** The whole message (header and body) for the body test; the caller closes it. */
    InputStream open() throws IOException;
}
