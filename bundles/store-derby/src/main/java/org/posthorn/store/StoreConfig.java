package org.posthorn.store;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of PID {@code org.posthorn.store}, shared by the mailbox store and the user directory. */
@ObjectClassDefinition(name = "Posthorn mailbox store and user directory",
        description = "Users, domains and mailboxes in the Derby database")
public @interface StoreConfig {

    @AttributeDefinition(description = "Domain whose users may log in with the local part alone; empty for none")
    String default_domain() default "";

    @AttributeDefinition(description = "Byte quota of new accounts when none is given; 0 for unlimited")
    long default_quota_bytes() default 0;

    @AttributeDefinition(description = "Message quota of new accounts when none is given; 0 for unlimited")
    long default_quota_messages() default 0;

    @AttributeDefinition(description = "How often a transaction Derby aborted as a deadlock victim is retried")
    int deadlock_retries() default 5;
}
