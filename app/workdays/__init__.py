"""China's working days for every year: the primary calendar (``chinese_calendar``), and for
years it does not know yet the statutory holidays of the ``holidays`` package plus an
operator-extensible file of make-up working days (调休). See ``calendars.year_calendar``."""
