/**
 * {@code wormhole demo}: {@link org.wormhole.cli.demo.DemoCommand} runs the branch-office pair of
 * {@code samples/branch-office/} on loopback. It writes both sites' files ({@code SiteFiles}),
 * starts Tokyo and Birlinghoven as two relay processes joined by the link ({@code SiteProcess}),
 * stands in for each site's mail hub and an outside domain's MX ({@code Mailbox}), sends a
 * message each way and one outside ({@code Submission}), and prints where each went.
 *
 * <p>The messages take the real path: smtpd -> queue -> qmgr -> {@code tsmtp} over the link ->
 * the peer's queue -> its {@code esmtp} delivery to the hub; the outside message goes from Tokyo's
 * queue by {@code esmtp} to the stand-in MX (the demo's table routes it there by address, where a
 * real site's relay looks up the MX).
 */
package org.wormhole.cli.demo;
