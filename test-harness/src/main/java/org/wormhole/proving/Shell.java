package org.wormhole.proving;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A command of the system (postfix, postconf, mount), run to its end within 60 s. */
final class Shell {

    record Result(int exit, String output) {
        boolean ok() {
            return exit == 0;
        }
    }

    private Shell() {
    }

    static Result run(String... cmd) {
        try {
            Process p = new ProcessBuilder(List.of(cmd)).redirectErrorStream(true).start();
            p.getOutputStream().close();
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> {
                try {
                    return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    return e.toString();
                }
            });
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, String.join(" ", cmd) + ": did not finish within 60 s");
            }
            return new Result(p.exitValue(), out.get(5, TimeUnit.SECONDS).strip());
        } catch (Exception e) {
            return new Result(-1, String.join(" ", cmd) + ": " + e.getMessage());
        }
    }

    static boolean root() {
        Result id = run("id", "-u");
        return id.ok() && id.output().equals("0");
    }
}
