package baton.testserver;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicBoolean;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.ServerVersion;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;

/**
 * A MongoDB wire-protocol server for Baton's tests: mongo-java-server with the in-memory backend,
 * bound to 127.0.0.1.
 *
 * <p>Usage: {@code java -jar mongo-test-server.jar [PORT]} (PORT 0 or absent: any free port).
 * When it accepts connections it prints exactly one line, {@code LISTENING <port>}, to stdout.
 * It stops when its stdin reaches end of file (so it never outlives the process that started it
 * with a pipe) or on SIGTERM/SIGINT. Diagnostics go to stderr only.
 */
public final class Main {

    private static final String HOST = "127.0.0.1";

    private Main() {
    }

    public static void main(String[] args) {
        // slf4j-simple reads its settings when the first logger is created: quiet by default.
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");

        int port;
        try {
            port = args.length > 0 ? Integer.parseInt(args[0].trim()) : 0;
            if (port < 0 || port > 65535) {
                throw new NumberFormatException("out of range");
            }
        } catch (NumberFormatException e) {
            System.err.println("mongo-test-server: invalid port '" + args[0] + "' (expected 0-65535)");
            System.exit(2);
            return;
        }

        // Wire version 8 (reported as MongoDB 5.0 by mongo-java-server): the lowest the Node.js
        // driver 6.x accepts. The backend's default is older and would be refused by the driver.
        MemoryBackend backend = new MemoryBackend();
        backend.version(ServerVersion.MONGO_5_0);
        MongoServer server = new MongoServer(backend);

        AtomicBoolean stopped = new AtomicBoolean(false);
        Runnable stop = () -> {
            if (stopped.compareAndSet(false, true)) {
                server.shutdownNow();
            }
        };

        try {
            server.bind(HOST, port);
        } catch (Exception e) {
            // Netty rethrows java.net.BindException (a checked exception) undeclared.
            System.err.println("mongo-test-server: cannot listen on " + HOST + ":" + port + ": " + e);
            stop.run();
            System.exit(1);
            return;
        }
        // SIGTERM and SIGINT run the shutdown hooks.
        Runtime.getRuntime().addShutdownHook(new Thread(stop, "mongo-test-server-shutdown"));

        InetSocketAddress address = server.getLocalAddress();
        System.out.println("LISTENING " + address.getPort());
        System.out.flush();

        waitForEndOfInput(System.in);
        stop.run();
        System.exit(0);
    }

    private static void waitForEndOfInput(InputStream in) {
        byte[] buffer = new byte[256];
        try {
            while (in.read(buffer) >= 0) {
                // Input is ignored; only its end matters.
            }
        } catch (IOException e) {
            // A broken stdin means the parent is gone: stop as on end of file.
        }
    }
}
