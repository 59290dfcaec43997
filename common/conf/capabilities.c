/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* Capabilities model: construction and destruction. */

#include <string.h>

#include "conf/capabilities.h"

static void caps_cell_free(gpointer data)
{
    CapsNumaCell *cell = data;

    for (guint i = 0; i < cell->cpus->len; i++)
        g_free(g_array_index(cell->cpus, CapsCellCpu, i).siblings);
    g_array_unref(cell->cpus);
    g_array_unref(cell->pages);
    g_array_unref(cell->distances);
    g_free(cell);
}

static void caps_secmodel_free(gpointer data)
{
    CapsSecModel *sec = data;

    g_free(sec->model);
    g_free(sec->doi);
    g_ptr_array_unref(sec->baselabels);
    g_free(sec);
}

static void caps_machine_free(gpointer data)
{
    CapsMachine *machine = data;

    g_free(machine->name);
    g_free(machine->canonical);
    g_free(machine);
}

static void caps_guest_domain_free(gpointer data)
{
    CapsGuestDomain *dom = data;

    g_free(dom->type);
    g_free(dom->emulator);
    g_ptr_array_unref(dom->machines);
    g_free(dom);
}

static void caps_guest_feature_free(gpointer data)
{
    CapsGuestFeature *feature = data;

    g_free(feature->name);
    g_free(feature->default_state);
    g_free(feature->toggle);
    g_free(feature);
}

static void caps_guest_free(gpointer data)
{
    CapsGuest *guest = data;

    g_free(guest->os_type);
    g_free(guest->arch);
    g_free(guest->emulator);
    g_free(guest->loader);
    g_ptr_array_unref(guest->machines);
    g_ptr_array_unref(guest->domains);
    g_ptr_array_unref(guest->features);
    g_free(guest);
}

/**
 * capabilities_new: empty capabilities of a host of architecture @host_arch.
 */
Capabilities *capabilities_new(const char *host_arch)
{
    Capabilities *caps = g_new0(Capabilities, 1);
    CapsHost *host = &caps->host;

    host->arch = g_strdup(host_arch);
    host->cpu_features = g_ptr_array_new_with_free_func(g_free);
    host->page_sizes = g_array_new(FALSE, TRUE, sizeof(CapsPages));
    host->power_management = g_ptr_array_new_with_free_func(g_free);
    host->migration_transports = g_ptr_array_new_with_free_func(g_free);
    host->cells = g_ptr_array_new_with_free_func(caps_cell_free);
    host->secmodels = g_ptr_array_new_with_free_func(caps_secmodel_free);
    caps->guests = g_ptr_array_new_with_free_func(caps_guest_free);
    return caps;
}

/**
 * capabilities_free: accepts NULL, returns NULL.
 */
Capabilities *capabilities_free(Capabilities *caps)
{
    CapsHost *host;

    if (!caps)
        return NULL;
    host = &caps->host;
    g_free(host->arch);
    g_free(host->cpu_model);
    g_free(host->cpu_vendor);
    g_ptr_array_unref(host->cpu_features);
    g_array_unref(host->page_sizes);
    g_ptr_array_unref(host->power_management);
    g_free(host->iommu_support);
    g_ptr_array_unref(host->migration_transports);
    g_ptr_array_unref(host->cells);
    g_ptr_array_unref(host->secmodels);
    g_ptr_array_unref(caps->guests);
    g_free(caps);
    return NULL;
}

/**
 * capabilities_add_cell: append NUMA cell @id with @memory_kib of memory.
 */
CapsNumaCell *capabilities_add_cell(Capabilities *caps, unsigned int id, uint64_t memory_kib)
{
    CapsNumaCell *cell = g_new0(CapsNumaCell, 1);

    cell->id = id;
    cell->memory_kib = memory_kib;
    cell->pages = g_array_new(FALSE, TRUE, sizeof(CapsPages));
    cell->distances = g_array_new(FALSE, TRUE, sizeof(CapsCellDistance));
    cell->cpus = g_array_new(FALSE, TRUE, sizeof(CapsCellCpu));
    g_ptr_array_add(caps->host.cells, cell);
    return cell;
}

/**
 * caps_cell_add_pages: @count pages of @size_kib in @cell.
 */
void caps_cell_add_pages(CapsNumaCell *cell, unsigned int size_kib, uint64_t count)
{
    CapsPages pages = { .size_kib = size_kib, .count = count };

    g_array_append_val(cell->pages, pages);
}

/**
 * caps_cell_add_distance: the NUMA distance from @cell to cell @id.
 */
void caps_cell_add_distance(CapsNumaCell *cell, unsigned int id, unsigned int value)
{
    CapsCellDistance distance = { .id = id, .value = value };

    g_array_append_val(cell->distances, distance);
}

/**
 * caps_cell_add_cpu: a CPU of @cell; negative ids and NULL siblings are omitted.
 */
void caps_cell_add_cpu(CapsNumaCell *cell, unsigned int id, int socket_id, int die_id, int core_id,
                       const char *siblings)
{
    CapsCellCpu cpu = {
        .id = id,
        .socket_id = socket_id,
        .die_id = die_id,
        .core_id = core_id,
        .siblings = g_strdup(siblings),
    };

    g_array_append_val(cell->cpus, cpu);
}

/**
 * capabilities_add_page_size: a page size the host CPU supports.
 */
void capabilities_add_page_size(Capabilities *caps, unsigned int size_kib)
{
    CapsPages pages = { .size_kib = size_kib };

    g_array_append_val(caps->host.page_sizes, pages);
}

/**
 * capabilities_add_secmodel: a security driver (@doi may be "" as in libvirt's test).
 */
CapsSecModel *capabilities_add_secmodel(Capabilities *caps, const char *model, const char *doi)
{
    CapsSecModel *sec = g_new0(CapsSecModel, 1);

    sec->model = g_strdup(model);
    sec->doi = g_strdup(doi);
    sec->baselabels = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(caps->host.secmodels, sec);
    return sec;
}

/**
 * caps_secmodel_add_baselabel: the base label for domains of virt type @type.
 */
void caps_secmodel_add_baselabel(CapsSecModel *sec, const char *type, const char *label)
{
    g_ptr_array_add(sec->baselabels, g_strdup(type));
    g_ptr_array_add(sec->baselabels, g_strdup(label));
}

/**
 * capabilities_add_guest: a guest kind (@os_type on @arch) with its default emulator.
 */
CapsGuest *capabilities_add_guest(Capabilities *caps, const char *os_type, const char *arch,
                                  unsigned int wordsize, const char *emulator)
{
    CapsGuest *guest = g_new0(CapsGuest, 1);

    guest->os_type = g_strdup(os_type);
    guest->arch = g_strdup(arch);
    guest->wordsize = wordsize;
    guest->emulator = g_strdup(emulator);
    guest->machines = g_ptr_array_new_with_free_func(caps_machine_free);
    guest->domains = g_ptr_array_new_with_free_func(caps_guest_domain_free);
    guest->features = g_ptr_array_new_with_free_func(caps_guest_feature_free);
    g_ptr_array_add(caps->guests, guest);
    return guest;
}

static CapsMachine *caps_machine_new(const char *name, const char *canonical, unsigned int max_cpus)
{
    CapsMachine *machine = g_new0(CapsMachine, 1);

    machine->name = g_strdup(name);
    machine->canonical = g_strdup(canonical);
    machine->max_cpus = max_cpus;
    return machine;
}

/**
 * caps_guest_add_machine: a machine type of @guest's emulator.
 */
void caps_guest_add_machine(CapsGuest *guest, const char *name, const char *canonical,
                            unsigned int max_cpus)
{
    g_ptr_array_add(guest->machines, caps_machine_new(name, canonical, max_cpus));
}

/**
 * caps_guest_domain_add_machine: a machine type only this domain type offers.
 */
void caps_guest_domain_add_machine(CapsGuestDomain *dom, const char *name, const char *canonical,
                                   unsigned int max_cpus)
{
    g_ptr_array_add(dom->machines, caps_machine_new(name, canonical, max_cpus));
}

/**
 * caps_guest_add_domain: a domain type @guest runs under; @emulator only when it differs
 * from the guest's.
 */
CapsGuestDomain *caps_guest_add_domain(CapsGuest *guest, const char *type, const char *emulator)
{
    CapsGuestDomain *dom = g_new0(CapsGuestDomain, 1);

    dom->type = g_strdup(type);
    dom->emulator = g_strdup(emulator);
    dom->machines = g_ptr_array_new_with_free_func(caps_machine_free);
    g_ptr_array_add(guest->domains, dom);
    return dom;
}

/**
 * caps_guest_add_feature: a guest feature, optionally with default='on|off' and
 * toggle='yes|no'.
 */
void caps_guest_add_feature(CapsGuest *guest, const char *name, const char *default_state,
                            const char *toggle)
{
    CapsGuestFeature *feature = g_new0(CapsGuestFeature, 1);

    feature->name = g_strdup(name);
    feature->default_state = g_strdup(default_state);
    feature->toggle = g_strdup(toggle);
    g_ptr_array_add(guest->features, feature);
}

/**
 * capabilities_find_guest: the first guest for @os_type and (unless NULL) @arch.
 */
const CapsGuest *capabilities_find_guest(const Capabilities *caps, const char *os_type,
                                         const char *arch)
{
    for (guint i = 0; i < caps->guests->len; i++) {
        const CapsGuest *guest = g_ptr_array_index(caps->guests, i);

        if (g_strcmp0(guest->os_type, os_type) == 0 && (!arch || g_strcmp0(guest->arch, arch) == 0))
            return guest;
    }
    return NULL;
}
