package org.posthorn.security.tls;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * The PEM files an admin maintains (certbot's {@code fullchain.pem} and {@code privkey.pem},
 * say). A change is seen by content, not timestamps: renewal tools swap symlinks, copy files
 * preserving times, and file systems differ in timestamp resolution; the files are small.
 *
 * <p>Not thread-safe; the owner serialises calls.
 */
final class WatchedPemFiles {

    private final Path certificate;
    private final Path privateKey;
    private final char[] password;
    private byte[] loadedDigest;
    private String lastFailure;

    /** {@code privateKey} null: the key is in the certificate file. {@code password} null: not encrypted. */
    WatchedPemFiles(Path certificate, Path privateKey, char[] password) {
        this.certificate = certificate;
        this.privateKey = privateKey;
        this.password = password;
    }

    String describe() {
        return privateKey == null ? certificate.toString() : certificate + " and " + privateKey;
    }

    /** The material in the files now. */
    KeyMaterial load() throws KeyMaterialException {
        try {
            return load(read());
        } catch (KeyMaterialException e) {
            lastFailure = e.getMessage();
            throw e;
        }
    }

    /**
     * The material in the files if their content differs from what was last loaded. Empty if
     * it does not, and also if it still fails the way it failed last time (that was reported
     * then; the caller keeps retrying). Throws only for a new failure.
     */
    Optional<KeyMaterial> reloadIfChanged() throws KeyMaterialException {
        try {
            Snapshot snapshot = read();
            if (Arrays.equals(snapshot.digest(), loadedDigest)) {
                lastFailure = null;
                return Optional.empty();
            }
            return Optional.of(load(snapshot));
        } catch (KeyMaterialException e) {
            boolean repeated = Objects.equals(e.getMessage(), lastFailure);
            lastFailure = e.getMessage();
            if (repeated) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private KeyMaterial load(Snapshot snapshot) throws KeyMaterialException {
        KeyMaterial material = PemKeyMaterial.read(snapshot.certificate(), snapshot.privateKey(), password);
        loadedDigest = snapshot.digest();
        lastFailure = null;
        return material;
    }

    private Snapshot read() throws KeyMaterialException {
        PemText certificateText = read(certificate);
        PemText keyText = privateKey == null ? null : read(privateKey);
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
        sha256.update(certificateText.content());
        if (keyText != null) {
            sha256.update(keyText.content());
        }
        return new Snapshot(certificateText, keyText, sha256.digest());
    }

    private static PemText read(Path file) throws KeyMaterialException {
        try {
            return new PemText(file.toString(), Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            throw new KeyMaterialException(file + " does not exist", e);
        } catch (AccessDeniedException e) {
            throw new KeyMaterialException(file + " is not readable by this process", e);
        } catch (IOException e) {
            throw new KeyMaterialException("cannot read " + file + ": " + e, e);
        }
    }

    private record Snapshot(PemText certificate, PemText privateKey, byte[] digest) {
    }
}
