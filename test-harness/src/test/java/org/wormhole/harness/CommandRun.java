package org.wormhole.harness;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A command (tar, dpkg-deb, a packaged launcher) run to its end: how it exited and what it printed. */
record CommandRun(List<String> command, int exit, String out, String err) {

    /** {@code command} in {@code dir} with this JVM's environment changed by {@code env} (a null value removes). */
    static CommandRun run(Path dir, Map<String, String> env, Object... command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        for (Object c : command) {
            cmd.add(c.toString());
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        env.forEach((k, v) -> {
            if (v == null) {
                pb.environment().remove(k);
            } else {
                pb.environment().put(k, v);
            }
        });
        Process p = pb.start();
        p.getOutputStream().close();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        String out = read(p.getInputStream());
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", cmd) + " did not finish within 60 s");
        }
        return new CommandRun(cmd, p.exitValue(), out, err.join());
    }

    static CommandRun run(Path dir, Object... command) throws IOException, InterruptedException {
        return run(dir, Map.of(), command);
    }

    /** This run, failing with what it printed unless it exited 0. */
    CommandRun ok() {
        if (exit != 0) {
            throw new AssertionError(this.toString());
        }
        return this;
    }

    @Override
    public String toString() {
        return "$ " + String.join(" ", command) + "\n" + out + err + "(exit " + exit + ")";
    }

    private static String read(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
