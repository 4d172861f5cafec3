package org.posthorn.store;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.sql.Blob;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

import org.posthorn.api.store.MimePart;
import org.posthorn.api.store.StoredContent;
import org.posthorn.store.mime.DecodingInputStream;
import org.posthorn.store.mime.TransferDecoder;

/**
 * A stored message's raw bytes. Every stream opens its own connection and reads the BLOB
 * through Derby's stream (never whole into memory); closing the stream ends the read
 * transaction and returns the connection.
 */
final class BlobContent implements StoredContent {

    private final Database database;
    private final long contentId;
    private final long size;

    BlobContent(Database database, long contentId, long size) {
        this.database = database;
        this.contentId = contentId;
        this.size = size;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public InputStream openStream() throws IOException {
        return openRange(0, size);
    }

    @Override
    public InputStream openRange(long offset, long length) throws IOException {
        long from = Math.max(0, Math.min(offset, size));
        long n = Math.max(0, Math.min(length, size - from));
        if (n == 0) {
            return new ByteArrayInputStream(new byte[0]);
        }
        Connection c = null;
        try {
            c = database.open();
            c.setAutoCommit(false);
            PreparedStatement ps = c.prepareStatement("SELECT raw FROM store_content WHERE id = ?");
            ps.setLong(1, contentId);
            ResultSet rs = ps.executeQuery();
            if (!rs.next()) {
                throw new IOException("message content " + contentId + " no longer exists");
            }
            Blob blob = rs.getBlob(1);
            return new Closing(blob.getBinaryStream(from + 1, n), c);
        } catch (SQLException | IOException | RuntimeException e) {
            closeQuietly(c);
            throw e instanceof IOException io ? io : new IOException("cannot read message: " + e.getMessage(), e);
        }
    }

    @Override
    public InputStream openDecoded(MimePart part) throws IOException {
        InputStream raw = openRange(part.bodyStart(), part.bodySize());
        TransferDecoder decoder = part.children().isEmpty() ? TransferDecoder.forEncoding(part.transferEncoding())
                : null;
        return decoder == null ? raw : new DecodingInputStream(raw, decoder);
    }

    private static void closeQuietly(Connection c) {
        if (c == null) {
            return;
        }
        try {
            c.rollback();
            c.close();
        } catch (SQLException e) {
            // the connection is unusable anyway
        }
    }

    /** Ends the read transaction when the stream is closed. */
    private static final class Closing extends FilterInputStream {
        private Connection connection;

        Closing(InputStream in, Connection connection) {
            super(in);
            this.connection = connection;
        }

        @Override
        public void close() throws IOException {
            try {
                super.close();
            } finally {
                Connection c = connection;
                connection = null;
                closeQuietly(c);
            }
        }
    }
}
