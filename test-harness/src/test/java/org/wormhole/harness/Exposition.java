package org.wormhole.harness;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One scrape of a Prometheus endpoint, read strictly as the text exposition format (version
 * 0.0.4): every line a {@code # HELP}, a {@code # TYPE} or a sample {@code name{label="value",...} value},
 * every sample of a family whose TYPE came before it. Anything else fails the parse, so a test
 * that reads values also proves the text is what Prometheus can scrape.
 */
final class Exposition {

    /** One sample: its metric name, labels and value. */
    record Sample(String name, Map<String, String> labels, double value) {
    }

    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern SAMPLE = Pattern.compile(
            "(" + NAME + ")(?:\\{(.*)})? ([-+]?(?:[0-9.eE+-]+|NaN|Inf))(?: -?\\d+)?");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\\\n]|\\\\[\\\\\"n])*)\",?");
    private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

    final String text;
    final List<Sample> samples = new ArrayList<>();
    final Map<String, String> types = new LinkedHashMap<>();

    private Exposition(String text) {
        this.text = text;
        for (String line : text.split("\n")) {
            parse(line);
        }
    }

    /** GET {@code url}: fails unless it answers 200 with the exposition format's content type. */
    static Exposition scrape(String url) throws IOException, InterruptedException {
        HttpResponse<String> r = get(url);
        if (r.statusCode() != 200) {
            throw new AssertionError("GET " + url + ": " + r.statusCode() + " " + r.body());
        }
        String type = r.headers().firstValue("Content-Type").orElse("");
        if (!type.startsWith("text/plain; version=0.0.4")) {
            throw new AssertionError("GET " + url + ": Content-Type " + type);
        }
        return new Exposition(r.body());
    }

    static HttpResponse<String> get(String url) throws IOException, InterruptedException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private void parse(String line) {
        if (line.isEmpty()) {
            return;
        }
        if (line.startsWith("# HELP ")) {
            return;
        }
        if (line.startsWith("# TYPE ")) {
            String[] w = line.split(" ");
            if (w.length != 4 || !NAME.matcher(w[2]).matches() || !TYPES.contains(w[3])) {
                throw new AssertionError("bad TYPE line: " + line);
            }
            types.put(w[2], w[3]);
            return;
        }
        if (line.startsWith("#")) {
            return; // a comment
        }
        Matcher m = SAMPLE.matcher(line);
        if (!m.matches()) {
            throw new AssertionError("not a sample line: " + line);
        }
        String name = m.group(1);
        if (family(name) == null) {
            throw new AssertionError("a sample before its family's TYPE: " + line);
        }
        Map<String, String> labels = new LinkedHashMap<>();
        if (m.group(2) != null && !m.group(2).isEmpty()) {
            Matcher l = LABEL.matcher(m.group(2));
            int at = 0;
            while (at < m.group(2).length()) {
                if (!l.find(at) || l.start() != at) {
                    throw new AssertionError("bad labels in: " + line);
                }
                labels.put(l.group(1), l.group(2));
                at = l.end();
            }
        }
        String v = m.group(3);
        double value = v.endsWith("Inf") ? (v.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY)
                : Double.parseDouble(v);
        samples.add(new Sample(name, labels, value));
    }

    /** The family a sample belongs to: its own name, or without a histogram's or counter's suffix. */
    private String family(String sample) {
        if (types.containsKey(sample)) {
            return sample;
        }
        for (String suffix : List.of("_total", "_bucket", "_count", "_sum", "_created")) {
            if (sample.endsWith(suffix) && types.containsKey(sample.substring(0, sample.length() - suffix.length()))) {
                return sample.substring(0, sample.length() - suffix.length());
            }
        }
        return null;
    }

    /**
     * The value of the sample named {@code name} with these labels (pairs: name, value; other
     * labels are ignored); 0 when there is none (a counter not counted yet).
     */
    double value(String name, String... labels) {
        return samples.stream().filter(s -> s.name().equals(name) && has(s, labels)).mapToDouble(Sample::value)
                .findFirst().orElse(0);
    }

    /** Whether a sample named {@code name} with these labels is there. */
    boolean has(String name, String... labels) {
        return samples.stream().anyMatch(s -> s.name().equals(name) && has(s, labels));
    }

    private static boolean has(Sample s, String... labels) {
        for (int i = 0; i < labels.length; i += 2) {
            if (!labels[i + 1].equals(s.labels().get(labels[i]))) {
                return false;
            }
        }
        return true;
    }

    /** The names of every sample. */
    Set<String> names() {
        Set<String> names = new TreeSet<>();
        samples.forEach(s -> names.add(s.name()));
        return names;
    }
}
