package dev.hearth.serve;

import io.javalin.http.Context;
import java.io.IOException;
import java.util.concurrent.CancellationException;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.io.AbstractEndPoint;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;

/**
 * Notices a client that closes its connection while its answer is being computed and nothing has
 * been written yet (a completion that is not streamed, a stream before its first token,
 * embeddings). Jetty reads an HTTP/1.1 connection only between requests, so such a hang-up would
 * otherwise show only when the answer is written, after the model has done all the work; the
 * watch asks Jetty to read the connection while the request runs. The end of input (or a failed
 * read) runs {@code onHangUp} once, on one of Jetty's threads.
 *
 * <p>A client that sends the next request before this one is answered (HTTP/1.1 pipelining,
 * which browsers, curl and the OpenAI SDKs do not do) has its first byte read here. The watch then
 * stops, and the answer closes the connection ({@code Connection: close}), so that the client
 * sends the unanswered request again, as RFC 9112 asks of a pipelining client; nothing is
 * answered from a damaged request.
 */
final class HangUpWatch {
    /** What the watch's own read is failed with when it stops (made once: its stack trace says nothing). */
    private static final CancellationException STOPPED = new CancellationException("the answer is ready");

    private final Context ctx;
    private final EndPoint endPoint;
    private final Runnable onHangUp;
    private final Callback readable = new Callback() {
        @Override
        public void succeeded() {
            read();
        }

        @Override
        public void failed(Throwable cause) {
            if (cause != STOPPED) {
                hungUp();
            }
        }
    };
    private boolean stopped;              // guarded by this
    private boolean pipelined;            // guarded by this
    private boolean fired;                // guarded by this

    private HangUpWatch(Context ctx, EndPoint endPoint, Runnable onHangUp) {
        this.ctx = ctx;
        this.endPoint = endPoint;
        this.onHangUp = onHangUp;
    }

    /**
     * Starts watching the connection of {@code ctx}'s request, or returns null where it cannot be
     * watched (a connection that is already being read, or a request not served by Jetty).
     */
    static HangUpWatch start(Context ctx, Runnable onHangUp) {
        EndPoint endPoint;
        try {
            endPoint = ServletContextRequest.getServletContextRequest(ctx.req()).getConnectionMetaData()
                    .getConnection().getEndPoint();
        } catch (IllegalStateException e) {
            return null;
        }
        if (!(endPoint instanceof AbstractEndPoint)) {
            return null;                          // stop() needs its fill interest to withdraw the read
        }
        HangUpWatch watch = new HangUpWatch(ctx, endPoint, onHangUp);
        return endPoint.tryFillInterested(watch.readable) ? watch : null;
    }

    private void read() {
        synchronized (this) {                     // stop() waits for a read in progress: no byte is taken after it
            if (stopped) {
                return;
            }
            int n;
            try {
                n = endPoint.fill(BufferUtil.allocate(1));
            } catch (IOException e) {
                n = -1;
            }
            if (n == 0) {
                endPoint.tryFillInterested(readable); // woken with nothing to read: wait again
                return;
            }
            if (n > 0) {
                pipelined = true;                 // the next request began: see the class comment
                stopped = true;
                return;
            }
        }
        hungUp();
    }

    private void hungUp() {
        synchronized (this) {
            if (stopped || fired) {
                return;
            }
            fired = true;
        }
        onHangUp.run();
    }

    /**
     * Stops watching (before the answer is written: Jetty refuses to finish a response while a read
     * it did not ask for is pending); the answer then closes the connection if a pipelined request
     * was read into.
     */
    void stop() {
        boolean closeConnection;
        synchronized (this) {
            stopped = true;
            closeConnection = pipelined;
            ((AbstractEndPoint) endPoint).getFillInterest().onFail(STOPPED);
        }
        if (closeConnection && !ctx.res().isCommitted()) {
            ctx.header("Connection", "close");
        }
    }
}
