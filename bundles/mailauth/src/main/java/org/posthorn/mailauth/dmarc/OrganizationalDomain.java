package org.posthorn.mailauth.dmarc;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * The organizational domain of a name (RFC 7489 §3.2): the public suffix plus one label. There
 * is no full public suffix list here: a name's last label is taken as its public suffix, except
 * for the second-level registries below and any an admin adds, so for suffixes not listed (e.g.
 * private ones such as {@code github.io}) two sites under one suffix count as one organization.
 */
public final class OrganizationalDomain {

    /** Public suffixes of two labels that are common in mail; a sample, not the whole list. */
    public static final Set<String> KNOWN_SUFFIXES = Set.of(
            "co.uk", "org.uk", "ac.uk", "gov.uk", "me.uk", "net.uk", "ltd.uk", "plc.uk", "nhs.uk", "sch.uk",
            "com.au", "net.au", "org.au", "edu.au", "gov.au", "asn.au", "id.au",
            "co.nz", "org.nz", "net.nz", "ac.nz", "govt.nz", "school.nz",
            "co.jp", "ne.jp", "or.jp", "ac.jp", "go.jp", "ad.jp", "ed.jp", "gr.jp", "lg.jp",
            "com.br", "net.br", "org.br", "gov.br", "edu.br",
            "co.za", "org.za", "gov.za", "ac.za", "web.za",
            "co.in", "net.in", "org.in", "gov.in", "ac.in", "edu.in", "firm.in", "gen.in", "ind.in",
            "com.cn", "net.cn", "org.cn", "gov.cn", "edu.cn", "ac.cn",
            "com.tw", "org.tw", "net.tw", "edu.tw", "gov.tw", "idv.tw",
            "com.hk", "org.hk", "net.hk", "edu.hk", "gov.hk", "idv.hk",
            "com.sg", "org.sg", "net.sg", "edu.sg", "gov.sg",
            "co.kr", "or.kr", "ne.kr", "ac.kr", "go.kr", "re.kr",
            "com.mx", "org.mx", "net.mx", "gob.mx", "edu.mx",
            "com.ar", "org.ar", "net.ar", "gob.ar", "edu.ar",
            "com.tr", "org.tr", "net.tr", "gov.tr", "edu.tr", "av.tr",
            "co.il", "org.il", "net.il", "ac.il", "gov.il",
            "com.ru", "org.ru", "net.ru", "msk.ru", "spb.ru",
            "com.ua", "org.ua", "net.ua", "in.ua", "kiev.ua",
            "com.pl", "org.pl", "net.pl", "gov.pl", "edu.pl",
            "co.at", "or.at", "ac.at", "gv.at",
            "com.es", "org.es", "nom.es", "gob.es", "edu.es",
            "com.pt", "org.pt", "gov.pt", "edu.pt",
            "co.id", "or.id", "ac.id", "go.id", "web.id",
            "com.my", "org.my", "net.my", "gov.my", "edu.my",
            "com.ph", "org.ph", "net.ph", "gov.ph", "edu.ph",
            "co.th", "or.th", "ac.th", "go.th", "in.th",
            "com.vn", "org.vn", "net.vn", "gov.vn", "edu.vn",
            "com.eg", "org.eg", "gov.eg", "edu.eg",
            "com.sa", "org.sa", "gov.sa", "edu.sa",
            "co.ke", "or.ke", "ac.ke", "go.ke",
            "com.ng", "org.ng", "gov.ng", "edu.ng",
            "com.co", "org.co", "net.co", "gov.co", "edu.co",
            "com.pe", "org.pe", "gob.pe", "edu.pe",
            "com.ve", "org.ve", "gob.ve",
            "com.uy", "org.uy", "gub.uy", "edu.uy",
            "com.cy", "org.cy", "gov.cy", "ac.cy",
            "com.mt", "org.mt", "gov.mt", "edu.mt",
            "qc.ca", "on.ca", "bc.ca", "ab.ca",
            "gc.ca", "k12.ca.us");

    private final Set<String> suffixes;

    /** @param extraSuffixes more public suffixes (any number of labels) an admin knows of */
    public OrganizationalDomain(Set<String> extraSuffixes) {
        this.suffixes = extraSuffixes.isEmpty() ? KNOWN_SUFFIXES : union(extraSuffixes);
    }

    private static Set<String> union(Set<String> extra) {
        Set<String> all = new HashSet<>(KNOWN_SUFFIXES);
        extra.stream().map(s -> s.strip().toLowerCase(Locale.ROOT)).filter(s -> !s.isEmpty()).forEach(all::add);
        return Set.copyOf(all);
    }

    /** The organizational domain of a (canonical, lower-case) domain; a public suffix is its own. */
    public String of(String domain) {
        String[] labels = domain.split("\\.");
        // the longest listed suffix wins; without one the last label is the suffix
        for (int n = labels.length - 1; n >= 1; n--) {
            String suffix = String.join(".", Arrays.copyOfRange(labels, labels.length - n, labels.length));
            if (suffixes.contains(suffix)) {
                return String.join(".", Arrays.copyOfRange(labels, labels.length - n - 1, labels.length));
            }
        }
        return labels.length <= 2 ? domain : labels[labels.length - 2] + "." + labels[labels.length - 1];
    }

    /** Relaxed alignment (RFC 7489 §3.1): the two names share their organizational domain. */
    public boolean aligned(String a, String b) {
        return of(a).equals(of(b));
    }
}
