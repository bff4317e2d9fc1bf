# saas-api: install and uninstall under systemd.
#
#   make install              release build (Swift runtime linked in), the executables, the SQL
#                             migrations, units, env file
#   make uninstall            removes what install put there (keeps a changed env file)
#   make install DESTDIR=/srv/root BINARY=.build/debug/Supervisor
#                             into another root, with an already built supervisor (and the
#                             saas-api-worker and saas-api-migrate beside it)
#
# Three executables go to BINDIR: saas-api (the supervisor), and saas-api-worker and
# saas-api-migrate, which the supervisor runs from the directory of its own executable (worker
# processes, `saas-api migrate`). The SQL migrations go to DATADIR/sql, where an installed
# `saas-api migrate` finds them (BINDIR/../share/saas-api/sql) from any working directory.
#
# The env file is installed only when absent, mode 0600 (it holds database passwords).

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
UNITDIR ?= /etc/systemd/system
CONFDIR ?= /etc/saas-api
# Must stay BINDIR/../share/saas-api: migrate looks there, relative to its own executable.
DATADIR ?= $(PREFIX)/share/saas-api
DESTDIR ?=
SWIFT ?= swift
SCRATCH ?= .build-release
# An already built supervisor to install instead of building one; its siblings beside it.
BINARY ?=
SIBLINGS = saas-api-worker saas-api-migrate

# Every product; without the default trait, which would make the supervisor link the others'
# libraries (see Package.swift).
RELEASE_FLAGS = -c release --scratch-path $(SCRATCH) --disable-default-traits --static-swift-stdlib
UNITS = saas-api.service saas-api.socket
# systemctl only for the running system, never for a DESTDIR.
SYSTEMCTL = if [ -z "$(DESTDIR)" ] && [ -d /run/systemd/system ]; then systemctl

.PHONY: build install uninstall

build:
ifeq ($(BINARY),)
	$(SWIFT) build $(RELEASE_FLAGS)
endif

install: build
	install -d -m 0755 $(DESTDIR)$(BINDIR) $(DESTDIR)$(UNITDIR)
	install -m 0755 $(if $(BINARY),$(BINARY),$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)/Supervisor) \
		$(DESTDIR)$(BINDIR)/saas-api
	bindir=$(if $(BINARY),$(dir $(BINARY)),$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)/) && \
	for exe in $(SIBLINGS); do install -m 0755 $$bindir$$exe $(DESTDIR)$(BINDIR)/$$exe || exit 1; done
	install -d -m 0755 $(DESTDIR)$(DATADIR)/sql
	install -m 0644 sql/*.sql $(DESTDIR)$(DATADIR)/sql/
	for unit in $(UNITS); do \
		sed 's#/usr/local/bin/saas-api#$(BINDIR)/saas-api#g' systemd/$$unit >$(DESTDIR)$(UNITDIR)/$$unit && \
		chmod 0644 $(DESTDIR)$(UNITDIR)/$$unit || exit 1; \
	done
	install -d -m 0755 $(DESTDIR)$(CONFDIR)
	test -e $(DESTDIR)$(CONFDIR)/saas-api.env || { \
		umask 077 && sed 's/^APP_ENV=development/APP_ENV=production/' .env.example \
			>$(DESTDIR)$(CONFDIR)/saas-api.env && chmod 0600 $(DESTDIR)$(CONFDIR)/saas-api.env; }
	$(SYSTEMCTL) daemon-reload; fi
	@echo "installed; next: edit $(CONFDIR)/saas-api.env, then systemctl enable --now saas-api.socket"

uninstall:
	-$(SYSTEMCTL) disable --now saas-api.socket saas-api.service; fi
	rm -f $(addprefix $(DESTDIR)$(UNITDIR)/,$(UNITS)) $(addprefix $(DESTDIR)$(BINDIR)/,saas-api $(SIBLINGS))
	rm -rf $(DESTDIR)$(DATADIR)/sql
	-rmdir $(DESTDIR)$(DATADIR) 2>/dev/null
	# The env file goes only if it is still the untouched example.
	if [ -f $(DESTDIR)$(CONFDIR)/saas-api.env ] && \
		sed 's/^APP_ENV=development/APP_ENV=production/' .env.example | cmp -s - $(DESTDIR)$(CONFDIR)/saas-api.env; then \
		rm -f $(DESTDIR)$(CONFDIR)/saas-api.env; fi
	-rmdir $(DESTDIR)$(CONFDIR) 2>/dev/null
	$(SYSTEMCTL) daemon-reload; fi
