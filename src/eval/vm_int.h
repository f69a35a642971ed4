/*
 * vm_int.h - what the flat program's builder (vm_build.c) and run loop
 * (vm.c) agree on beyond nodes.h: the meaning of instruction flags and
 * the room reserved for maps.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef ELIGO_VM_INT_H
#define ELIGO_VM_INT_H

/* PICK's flags: subtract (else add), decimals (else ints), and the value
 * of the condition that takes the sum or difference. */
#define PICK_SUB 1
#define PICK_DEC 2
#define PICK_WHEN 4

/* SUM_PUT's flag: the sum is of decimals (ACC_SUM_DEC), else of ints. */
#define SUM_PUT_DEC 1

/* The pairs of a map (MAP_INIT) that fit in the frame slots its builder
 * reserves: households are far shorter, and a longer list takes the
 * request arena. */
#define VM_MAP_ROOM 32

#endif
