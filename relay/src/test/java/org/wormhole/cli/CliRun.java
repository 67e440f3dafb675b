package org.wormhole.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** What one {@code wormhole} command line printed and how it exited, run in-process. */
record CliRun(int exit, String out, String err) {

    /** As {@link #wormhole}, with {@code stdin} as the command's standard input. */
    static CliRun wormholeWithInput(String stdin, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Wormhole.run(new java.io.ByteArrayInputStream(stdin.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                new PrintWriter(out), new PrintWriter(err), args);
        return new CliRun(code, out.toString(), err.toString());
    }

    static CliRun wormhole(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Wormhole.run(new PrintWriter(out), new PrintWriter(err), args);
        return new CliRun(code, out.toString(), err.toString());
    }
}
