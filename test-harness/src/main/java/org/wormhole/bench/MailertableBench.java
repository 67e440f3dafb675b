package org.wormhole.bench;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.wormhole.mailertable.Lookup;
import org.wormhole.mailertable.Mailertable;
import org.wormhole.mailertable.MailertableException;

/**
 * Load and lookup cost of a 100,000-entry {@link Mailertable}.
 *
 * <p>The table text is generated in memory from a fixed seed: about 55% exact domain keys,
 * 30% leading-dot keys, 10% {@code user@domain} keys, 4% exact multi-label host keys and 0.5%
 * {@code %1} template entries, with a mix of transport, error, discard and local values. With
 * {@code catchAll=true} a {@code *} line is appended, so the miss probes hit the catch-all
 * instead of falling through to {@link Lookup.NotFound}.
 *
 * <p>The probe arrays (4096 each, cycled) hit plain (non-template) entries only, so their
 * {@code gc.alloc.rate.norm} is the allocation of a plain lookup:
 * <ul>
 *   <li>{@code lookupExact}: {@code user@dom.tld} against an exact {@code dom.tld} key;</li>
 *   <li>{@code lookupSubdomain}: {@code user@a.b[.c[.d]].dom.tld} (2-4 extra labels) against a
 *       {@code .dom.tld} key;</li>
 *   <li>{@code lookupMiss}: {@code user@a.b.c.mNNN.tld} (5 labels), no key but {@code .};</li>
 *   <li>{@code lookupMixedCase}: exact and subdomain hits with random upper-case letters
 *       (expected to allocate the lower-cased copy);</li>
 *   <li>{@code lookupTemplate}: subdomain hits on {@code %1} entries (allocates by design).</li>
 * </ul>
 *
 * <p>Run from the repository root:
 * <pre>
 * mvn -B -q -DskipTests package -pl test-harness -am &amp;&amp; java -jar test-harness/target/benchmarks.jar MailertableBench -prof gc
 * </pre>
 */
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Warmup(iterations = 3, time = 1, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 5, time = 1, timeUnit = TimeUnit.SECONDS)
public class MailertableBench {

    static final int ENTRIES = 100_000;
    static final int PROBES = 4096; // power of two: cursor wraps with a mask
    static final long SEED = 0x5EED_2024L;

    private static final String[] WORDS = {
        "acme", "globex", "initech", "umbrella", "hooli", "stark", "wayne", "tyrell",
        "cyberdyne", "bigbucks", "soylent", "wonka", "vandelay", "oscorp", "massive", "dynamic",
    };
    /** Suffixes of table keys; none of them is a key itself. */
    private static final String[] TLDS = {"example", "example.com", "example.net", "example.org", "test"};
    private static final String[] USERS = {"alice", "bob", "postmaster", "info", "sales", "j.doe", "noreply"};
    private static final String[] SUBLABELS = {"mail", "mx", "eu", "us", "corp", "internal", "dept", "hq", "a", "b"};

    @State(Scope.Benchmark)
    public static class Table {

        @Param({"false", "true"})
        public boolean catchAll;

        /** The generated table text, UTF-8. */
        public byte[] text;
        public Mailertable table;

        public String[] exact;
        public String[] subdomain;
        public String[] miss;
        public String[] mixedCase;
        public String[] template;

        @Setup(Level.Trial)
        public void setUp() throws MailertableException {
            SplittableRandom rnd = new SplittableRandom(SEED);
            StringBuilder sb = new StringBuilder(ENTRIES * 56);
            sb.append("# generated mailertable, ").append(ENTRIES).append(" entries, seed ").append(SEED).append('\n');
            List<String> exactDomains = new ArrayList<>();
            List<String> dotDomains = new ArrayList<>();
            List<String> templateDomains = new ArrayList<>();
            int lines = 0;
            for (int i = 0; lines < ENTRIES - (catchAll ? 1 : 0); i++) {
                String domain = WORDS[rnd.nextInt(WORDS.length)] + i + "." + TLDS[rnd.nextInt(TLDS.length)];
                int kind = rnd.nextInt(1000);
                if (i % 5000 == 0) {
                    sb.append("\n# block ").append(i / 5000).append('\n');
                }
                if (kind < 550) {
                    sb.append(domain).append('\t').append(value(rnd, i)).append('\n');
                    exactDomains.add(domain);
                } else if (kind < 850) {
                    sb.append('.').append(domain).append("  ").append(value(rnd, i)).append('\n');
                    dotDomains.add(domain);
                } else if (kind < 950) {
                    sb.append(USERS[rnd.nextInt(USERS.length)]).append('@').append(domain)
                            .append(' ').append(value(rnd, i)).append('\n');
                } else if (kind < 995) {
                    sb.append(SUBLABELS[rnd.nextInt(SUBLABELS.length)]).append('.').append(domain)
                            .append('\t').append(value(rnd, i)).append('\n');
                } else {
                    sb.append('.').append(domain).append("\tesmtp:[%1.gw").append(i % 97).append(".relay.example]\n");
                    templateDomains.add(domain);
                }
                lines++;
            }
            if (catchAll) {
                sb.append("*\tesmtp:[smarthost.example]\n");
            }
            text = sb.toString().getBytes(StandardCharsets.UTF_8);
            table = Mailertable.parse("generated", text);
            if (table.size() != ENTRIES) {
                throw new IllegalStateException("expected " + ENTRIES + " entries, got " + table.size());
            }

            exact = new String[PROBES];
            subdomain = new String[PROBES];
            miss = new String[PROBES];
            mixedCase = new String[PROBES];
            template = new String[PROBES];
            for (int p = 0; p < PROBES; p++) {
                exact[p] = user(rnd) + "@" + pick(rnd, exactDomains);
                subdomain[p] = user(rnd) + "@" + sublabels(rnd, 2 + rnd.nextInt(3)) + pick(rnd, dotDomains);
                miss[p] = user(rnd) + "@" + sublabels(rnd, 3) + "m" + (10_000_000 + rnd.nextInt(1_000_000))
                        + "." + "example";
                template[p] = user(rnd) + "@" + sublabels(rnd, 2 + rnd.nextInt(3)) + pick(rnd, templateDomains);
            }
            for (int p = 0; p < PROBES; p++) {
                String base = rnd.nextBoolean() ? exact[rnd.nextInt(PROBES)] : subdomain[rnd.nextInt(PROBES)];
                mixedCase[p] = scramble(rnd, base);
            }
            check();
        }

        /** Fails the trial if a probe does not get the answer its benchmark is meant to measure. */
        private void check() {
            for (int p = 0; p < PROBES; p++) {
                expectFound(exact[p], false);
                expectFound(subdomain[p], false);
                expectFound(mixedCase[p], false);
                expectFound(template[p], true);
                Lookup m = table.lookup(miss[p]);
                if (catchAll ? !(m instanceof Lookup.Found f && f.matchedKey().equals("."))
                        : !(m instanceof Lookup.NotFound)) {
                    throw new IllegalStateException("miss probe " + miss[p] + " gave " + m);
                }
            }
        }

        private void expectFound(String probe, boolean wantTemplate) {
            Lookup r = table.lookup(probe);
            if (!(r instanceof Lookup.Found f) || f.matchedKey().equals(".")
                    || f.value().contains(".gw") != wantTemplate) {
                throw new IllegalStateException("probe " + probe + " gave " + r);
            }
        }

        private static String value(SplittableRandom rnd, int i) {
            int v = rnd.nextInt(100);
            if (v < 35) {
                return "esmtp:[mx" + i + ".relay.example]";
            } else if (v < 55) {
                return "esmtp:mx" + (i % 512) + ".sub.example:2525";
            } else if (v < 70) {
                return "tsmtp:[relay" + (i % 64) + ".tokyo.bigbucks.example]";
            } else if (v < 80) {
                return "smtp:[10." + (i >>> 16 & 255) + "." + (i >>> 8 & 255) + "." + (i & 255) + "]";
            } else if (v < 85) {
                return "relay:gw" + (i % 16) + ".example";
            } else if (v < 89) {
                return "lmtp:[127.0.0.1]:24";
            } else if (v < 94) {
                return "error:5.1.2:550 domain no longer served here";
            } else if (v < 97) {
                return "discard:";
            } else {
                return "local:mailman";
            }
        }

        private static String user(SplittableRandom rnd) {
            return USERS[rnd.nextInt(USERS.length)];
        }

        /** {@code n} labels, each followed by a dot. */
        private static String sublabels(SplittableRandom rnd, int n) {
            StringBuilder sb = new StringBuilder();
            for (int k = 0; k < n; k++) {
                sb.append(SUBLABELS[rnd.nextInt(SUBLABELS.length)]).append('.');
            }
            return sb.toString();
        }

        private static String pick(SplittableRandom rnd, List<String> from) {
            return from.get(rnd.nextInt(from.size()));
        }

        /** Upper-cases about a third of the letters, and at least one. */
        private static String scramble(SplittableRandom rnd, String s) {
            char[] c = s.toCharArray();
            boolean any = false;
            for (int k = 0; k < c.length; k++) {
                if (c[k] >= 'a' && c[k] <= 'z' && rnd.nextInt(3) == 0) {
                    c[k] = (char) (c[k] - 32);
                    any = true;
                }
            }
            if (!any) {
                int at = s.indexOf('@');
                c[at + 1] = Character.toUpperCase(c[at + 1]);
            }
            return new String(c);
        }
    }

    /** Per-thread position in the probe arrays. */
    @State(Scope.Thread)
    public static class Cursor {
        int i;

        int next() {
            return i = (i + 1) & (PROBES - 1);
        }
    }

    /** Parses the whole table text; 2 s iterations because one parse takes a good fraction of a second. */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 3, time = 2, timeUnit = TimeUnit.SECONDS)
    @Measurement(iterations = 5, time = 2, timeUnit = TimeUnit.SECONDS)
    public Mailertable load(Table t) throws MailertableException {
        return Mailertable.parse("generated", t.text);
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public Lookup lookupExact(Table t, Cursor c) {
        return t.table.lookup(t.exact[c.next()]);
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public Lookup lookupSubdomain(Table t, Cursor c) {
        return t.table.lookup(t.subdomain[c.next()]);
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public Lookup lookupMiss(Table t, Cursor c) {
        return t.table.lookup(t.miss[c.next()]);
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public Lookup lookupMixedCase(Table t, Cursor c) {
        return t.table.lookup(t.mixedCase[c.next()]);
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public Lookup lookupTemplate(Table t, Cursor c) {
        return t.table.lookup(t.template[c.next()]);
    }
}
