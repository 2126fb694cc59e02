"""Two-factor authentication: enrolment, the second login step, disabling and resetting."""
