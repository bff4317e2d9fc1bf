# saas-api: install and uninstall under systemd.
#
#   make install              release build (Swift runtime linked in), both executables, units,
#                             env file
#   make uninstall            removes what install put there (keeps a changed env file)
#   make install DESTDIR=/srv/root BINARY=.build/debug/Supervisor
#                             into another root, with an already built binary (its
#                             saas-api-worker beside it, or WORKER_BINARY=…)
#
# Two executables go to BINDIR: saas-api (the supervisor) and saas-api-worker, which the
# supervisor runs from the directory of its own executable (and which runs `saas-api migrate`).
#
# The env file is installed only when absent, mode 0600 (it holds database passwords).

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
UNITDIR ?= /etc/systemd/system
CONFDIR ?= /etc/saas-api
DESTDIR ?=
SWIFT ?= swift
SCRATCH ?= .build-release
# An already built binary to install instead of building one, and its worker executable.
BINARY ?=
WORKER_BINARY ?= $(if $(BINARY),$(dir $(BINARY))saas-api-worker)

# Both products; without the default trait, which would make the supervisor link the worker's
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
	install -m 0755 $(if $(WORKER_BINARY),$(WORKER_BINARY),$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)/saas-api-worker) \
		$(DESTDIR)$(BINDIR)/saas-api-worker
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
	rm -f $(addprefix $(DESTDIR)$(UNITDIR)/,$(UNITS)) $(DESTDIR)$(BINDIR)/saas-api $(DESTDIR)$(BINDIR)/saas-api-worker
	# The env file goes only if it is still the untouched example.
	if [ -f $(DESTDIR)$(CONFDIR)/saas-api.env ] && \
		sed 's/^APP_ENV=development/APP_ENV=production/' .env.example | cmp -s - $(DESTDIR)$(CONFDIR)/saas-api.env; then \
		rm -f $(DESTDIR)$(CONFDIR)/saas-api.env; fi
	-rmdir $(DESTDIR)$(CONFDIR) 2>/dev/null
	$(SYSTEMCTL) daemon-reload; fi
