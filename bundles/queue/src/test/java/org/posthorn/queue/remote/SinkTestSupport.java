package org.posthorn.queue.remote;

import static org.posthorn.queue.remote.TestMail.config;

import java.util.function.Supplier;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.posthorn.queue.testing.SmtpSink;

/**
 * A sink as the MX of example.test (mx.example.test, 127.0.0.1), an in-memory resolver, and
 * the delivery under test, closed after each test.
 */
abstract class SinkTestSupport {

    protected SmtpSink sink;
    protected StaticResolver dns;
    protected SmtpRemoteDelivery delivery;

    @BeforeEach
    void startSink() throws Exception {
        sink = SmtpSink.start();
        dns = new StaticResolver().mx("example.test", 10, "mx.example.test").address("mx.example.test", "127.0.0.1");
    }

    @AfterEach
    void stopSink() throws Exception {
        if (delivery != null) {
            delivery.close();
        }
        sink.close();
    }

    /** The delivery under test with the test settings and these overrides, using {@link #dns}. */
    protected SmtpRemoteDelivery delivery(Supplier<SSLContext> clientTls, Object... overrides) {
        delivery = new SmtpRemoteDelivery(config(sink.port(), overrides), dns, clientTls);
        return delivery;
    }
}
