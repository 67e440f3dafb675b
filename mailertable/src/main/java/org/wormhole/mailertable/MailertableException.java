package org.wormhole.mailertable;

import java.util.List;
import java.util.stream.Collectors;

/** A mailertable that could not be loaded, with every bad line in it. */
public final class MailertableException extends Exception {

    private final List<LineError> errors;

    public MailertableException(List<LineError> errors) {
        super(errors.stream().map(LineError::toString).collect(Collectors.joining("\n")));
        this.errors = List.copyOf(errors);
    }

    /** Every error found, in file order; never empty. */
    public List<LineError> errors() {
        return errors;
    }
}
