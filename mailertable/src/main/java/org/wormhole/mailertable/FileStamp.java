package org.wormhole.mailertable;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;

/**
 * What a stat of the table file says, following symlinks: which file it is (real path and
 * inode), its size, and its modification and change times. Two equal stamps mean "no edit";
 * an editor's save by rename changes the inode, a symlink flip changes the real path.
 */
record FileStamp(Path realPath, Object fileKey, long size, FileTime modified, Object changed) {

    static FileStamp of(Path file) throws IOException {
        Path real = file.toRealPath();
        BasicFileAttributes a = Files.readAttributes(real, BasicFileAttributes.class);
        Object ctime;
        try {
            ctime = Files.getAttribute(real, "unix:ctime");
        } catch (UnsupportedOperationException | IllegalArgumentException noUnixView) {
            ctime = null;
        }
        return new FileStamp(real, a.fileKey(), a.size(), a.lastModifiedTime(), ctime);
    }
}
