package org.posthorn.api.user;

/** The directory's backing store could not be reached; the caller should answer "try again later". */
public class DirectoryUnavailableException extends Exception {

    private static final long serialVersionUID = 1L;

    public DirectoryUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
