/* dev_rtc.c -- the MC146818 CMOS real-time clock at ports 0x70/0x71,
 * read-only: the host's UTC time in BCD, 24-hour mode, never "update in
 * progress" (Linux waits for that bit to clear when it reads the time). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "devices.h"

struct rtc { uint8_t index; };

static uint8_t bcd(int v) { return (uint8_t)((v / 10) << 4 | v % 10); }

static uint8_t rtc_register(uint8_t index)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    switch (index) {
    case 0x00: return bcd(tm.tm_sec);
    case 0x02: return bcd(tm.tm_min);
    case 0x04: return bcd(tm.tm_hour);
    case 0x06: return bcd(tm.tm_wday + 1);
    case 0x07: return bcd(tm.tm_mday);
    case 0x08: return bcd(tm.tm_mon + 1);
    case 0x09: return bcd(tm.tm_year % 100);
    case 0x0a: return 0x26;             /* 32.768 kHz, 1024 Hz, UIP clear */
    case 0x0b: return 0x02;             /* 24-hour, BCD, no interrupts */
    case 0x0d: return 0x80;             /* valid RAM and time */
    case 0x32: return bcd(tm.tm_year / 100 + 19);
    default: return 0;
    }
}

static void rtc_read(void *dev, uint64_t off, void *data, unsigned size)
{
    struct rtc *r = dev;
    memset(data, 0, size);
    *(uint8_t *)data = off == 1 ? rtc_register(r->index) : r->index;
}

static void rtc_write(void *dev, uint64_t off, const void *data, unsigned size)
{
    struct rtc *r = dev;
    if (off == 0)
        r->index = *(const uint8_t *)data & 0x7f;   /* bit 7 masks NMIs */
}

static const struct sys_dev_ops rtc_ops = { "rtc", rtc_read, rtc_write };

int dev_rtc_init(struct sys_vm *vm)
{
    return sys_bus_add(&vm->pio, 0x70, 2, &rtc_ops, calloc(1, sizeof(struct rtc)));
}
