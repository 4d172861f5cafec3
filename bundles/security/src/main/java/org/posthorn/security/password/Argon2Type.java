package org.posthorn.security.password;

import org.bouncycastle.crypto.params.Argon2Parameters;

/** The Argon2 variants a stored hash may use (Argon2d is not meant for passwords). */
enum Argon2Type {
    ARGON2ID("argon2id", Argon2Parameters.ARGON2_id),
    ARGON2I("argon2i", Argon2Parameters.ARGON2_i);

    private final String phcName;
    private final int bcType;

    Argon2Type(String phcName, int bcType) {
        this.phcName = phcName;
        this.bcType = bcType;
    }

    static Argon2Type fromPhcName(String name) throws MalformedHashException {
        for (Argon2Type type : values()) {
            if (type.phcName.equals(name)) {
                return type;
            }
        }
        throw new MalformedHashException("not an argon2i or argon2id hash");
    }

    String phcName() {
        return phcName;
    }

    int bcType() {
        return bcType;
    }
}
