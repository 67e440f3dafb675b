package org.wormhole.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.wormhole.relay.control.ListedMessage;
import org.wormhole.relay.queue.QueueId;
import org.wormhole.relay.queue.QueueState;

/** {@code wormhole queue summary}'s table, as qshape prints it. */
class QueueShapeTest {

    private static final long NOW = 1_764_820_000L;

    private static ListedMessage waiting(long minutes, String sender, String... recipients) {
        return new ListedMessage(QueueState.DEFERRED, new QueueId("1K820IHON00HPP"), NOW - minutes * 60, 100, sender,
                Arrays.stream(recipients).map(r -> new ListedMessage.Recipient(r, "", 1, 0, NOW)).toList(), 0, "", "",
                false);
    }

    private static final List<ListedMessage> QUEUE = List.of(
            waiting(0, "a@tokyo.example", "x@Dead.example", "y@dead.example"),
            waiting(7, "a@tokyo.example", "x@dead.example"),
            waiting(90, "", "z@slow.example"),
            waiting(3000, "b@paris.example", "x@dead.example", "w@slow.example"));

    @Test
    void recipientsByDomainAndMinutesWaitingTheBusiestFirst() {
        QueueShape shape = new QueueShape(false, 5, 10);
        QUEUE.forEach(m -> shape.add(m, NOW));
        assertEquals("""
                                                         T  5 10 20 40 80 160 320 640 1280 1280+
                                                  TOTAL  6  2  1  0  0  0   1   0   0    0     2
                                           dead.example  4  2  1  0  0  0   0   0   0    0     1
                                           slow.example  2  0  0  0  0  0   1   0   0    0     1
                """, shape.render());
    }

    @Test
    void bySenderEachMessageCountsOnceAndTheNullSenderIsMailerDaemon() {
        QueueShape shape = new QueueShape(true, 5, 10);
        QUEUE.forEach(m -> shape.add(m, NOW));
        assertEquals("""
                                                         T  5 10 20 40 80 160 320 640 1280 1280+
                                                  TOTAL  4  1  1  0  0  0   1   0   0    0     1
                                          tokyo.example  2  1  1  0  0  0   0   0   0    0     0
                                          MAILER-DAEMON  1  0  0  0  0  0   1   0   0    0     0
                                          paris.example  1  0  0  0  0  0   0   0   0    0     1
                """, shape.render());
    }

    @Test
    void bucketsCanBeFewerAndLonger() {
        QueueShape shape = new QueueShape(false, 60, 3);
        QUEUE.forEach(m -> shape.add(m, NOW));
        assertEquals("""
                                                                                   T 60 120 120+
                                                                            TOTAL  6  3   1    2
                                                                     dead.example  4  3   0    1
                                                                     slow.example  2  0   1    1
                """, shape.render());
        assertEquals("the bucket count must be 2 to 20",
                assertThrows(IllegalArgumentException.class, () -> new QueueShape(false, 5, 1)).getMessage());
        assertEquals("the bucket time must be at least 1 minute",
                assertThrows(IllegalArgumentException.class, () -> new QueueShape(false, 0, 10)).getMessage());
    }

    @Test
    void anEmptyQueueIsAllZeros() {
        assertEquals("""
                                                         T  5 10 20 40 80 160 320 640 1280 1280+
                                                  TOTAL  0  0  0  0  0  0   0   0   0    0     0
                """, new QueueShape(false, 5, 10).render());
    }
}
