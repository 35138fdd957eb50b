// Implemented next: see base/time_format.h.
