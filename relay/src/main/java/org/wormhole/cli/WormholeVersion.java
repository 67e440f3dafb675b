package org.wormhole.cli;

import picocli.CommandLine;

/** The version from the jar manifest, or "development" when run from classes. */
final class WormholeVersion implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = Wormhole.class.getPackage().getImplementationVersion();
        return new String[] {"wormhole " + (v == null ? "development" : v)};
    }
}
