package org.posthorn.itests;

import static org.junit.Assert.assertNotNull;

import java.util.concurrent.TimeUnit;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.util.tracker.ServiceTracker;

/** Finding services and bundles from inside a Pax Exam test. */
final class OsgiLookup {

    static final long WAIT_SECONDS = 30;

    private OsgiLookup() {
    }

    /** The service, waiting up to {@value #WAIT_SECONDS} s for it; {@code filter} may be null. */
    static <T> T service(BundleContext context, Class<T> type, String filter) throws Exception {
        String objectClass = "(objectClass=" + type.getName() + ")";
        ServiceTracker<T, T> tracker = new ServiceTracker<>(context,
                context.createFilter(filter == null ? objectClass : "(&" + objectClass + filter + ")"), null);
        tracker.open();
        try {
            T service = tracker.waitForService(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
            assertNotNull(type.getSimpleName() + (filter == null ? "" : " " + filter) + " registered", service);
            return service;
        } finally {
            tracker.close();
        }
    }

    static Bundle bundle(BundleContext context, String symbolicName) {
        for (Bundle b : context.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new AssertionError(symbolicName + " is not installed");
    }
}
