package org.wormhole.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** What one {@code wormhole} command line printed and how it exited, run in-process. */
record CliRun(int exit, String out, String err) {

    static CliRun wormhole(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Wormhole.run(new PrintWriter(out), new PrintWriter(err), args);
        return new CliRun(code, out.toString(), err.toString());
    }
}
