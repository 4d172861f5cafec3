package org.posthorn.filters;

import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.Set;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.posthorn.api.filter.FilterVerdict;
import org.posthorn.api.filter.FilteredMessage;
import org.posthorn.api.filter.MessageFilter;
import org.posthorn.filters.mime.MimePart;
import org.posthorn.filters.mime.MimeScanner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Attachments of dangerous types: by file name extension (also inside archives' names such as
 * {@code invoice.pdf.exe}, since the last extension is what runs) and by content type. On by
 * default with {@code junk}: mail carrying executables is nearly always malware with a forged
 * sender, so a bounce would be backscatter, and filing keeps the rare legitimate one findable.
 */
@Component(configurationPid = AttachmentFilter.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        property = "service.ranking:Integer=200")
@Designate(ocd = AttachmentFilter.Config.class)
public final class AttachmentFilter implements MessageFilter {

    static final String PID = "org.posthorn.filters.attachments";
    private static final Logger LOG = LoggerFactory.getLogger(AttachmentFilter.class);

    @ObjectClassDefinition(name = "Posthorn filter: attachment types")
    public @interface Config {
        @AttributeDefinition(description = "Whether the rule runs")
        boolean enabled() default true;

        @AttributeDefinition(description = "File name extensions that match, comma-separated, without dots")
        String extensions() default "ade,adp,app,bat,chm,cmd,com,cpl,exe,hta,jar,js,jse,lnk,msc,msi,msp,pif,ps1,"
                + "reg,scr,sct,vb,vbe,vbs,wsc,wsf,wsh";

        @AttributeDefinition(description = "Content types that match, comma-separated")
        String content_types() default "application/x-msdownload,application/x-dosexec,application/x-msdos-program";

        @AttributeDefinition(description = "tag, junk or reject (a bounce, RFC 3463 5.7.1)")
        String action() default "junk";
    }

    private final boolean enabled;
    private final Set<String> extensions;
    private final Set<String> contentTypes;
    private final RuleAction action;

    @Activate
    public AttachmentFilter(Config config) {
        this.enabled = config.enabled();
        this.extensions = CommaSeparated.lowerCase(config.extensions());
        this.contentTypes = CommaSeparated.lowerCase(config.content_types());
        this.action = RuleAction.parse(config.action());
    }

    @Override
    public FilterVerdict filter(FilteredMessage message) throws IOException {
        if (!enabled) {
            return FilterVerdict.CONTINUE;
        }
        Finder finder = new Finder();
        try (InputStream in = message.original().openStream()) {
            // the structure only: no text needs decoding
            new MimeScanner(0).scan(in, finder);
        }
        if (finder.found == null) {
            return FilterVerdict.CONTINUE;
        }
        LOG.info("{}: {}: {}", message.queueId(), finder.found, action);
        return action.apply(message, finder.found, 550, "5.7.1");
    }

    private final class Finder implements MimeScanner.Handler {
        private String found;

        @Override
        public void part(MimePart part) {
            String name = part.fileName();
            if (name != null) {
                String stripped = name.strip();
                int dot = stripped.lastIndexOf('.');
                String extension = dot < 0 ? "" : stripped.substring(dot + 1).toLowerCase(Locale.ROOT);
                if (extensions.contains(extension)) {
                    found = "attachment type not accepted: " + safe(stripped);
                    return;
                }
            }
            if (contentTypes.contains(part.contentType())) {
                found = "attachment type not accepted: " + part.contentType();
            }
        }

        @Override
        public boolean done() {
            return found != null;
        }
    }

    /** The name as it may appear in a header or a bounce: printable, and not endless. */
    private static String safe(String name) {
        String printable = name.replaceAll("[^\\x20-\\x7e]", "?");
        return printable.length() > 100 ? printable.substring(0, 100) + "..." : printable;
    }
}
