/* vfork-x86_64.S — vfork for the shim.  A C wrapper cannot call vfork: the child would
 * return through the wrapper's frame and the parent would resume in a clobbered one.
 * This keeps no frame: it marks the thread (TLS pt_vforked, seen only by the child while
 * the parent is suspended), makes the system call as glibc does, and hands the parent's
 * result to pt_vfork_parent(), which clears the mark and records the child. */
#include <sys/syscall.h>

	.text
	.globl	vfork
	.type	vfork, @function
	.globl	__vfork
	.type	__vfork, @function
vfork:
__vfork:
	.cfi_startproc
	movq	pt_vforked@gottpoff(%rip), %rax
	movb	$1, %fs:(%rax)
	popq	%rdi			/* the return address; the child will reuse this stack */
	.cfi_adjust_cfa_offset -8
	movl	$SYS_vfork, %eax
	syscall
	pushq	%rdi
	.cfi_adjust_cfa_offset 8
	testq	%rax, %rax
	jz	1f			/* child: return with the mark set */
	movq	%rax, %rdi		/* parent, or an error as -errno */
	jmp	pt_vfork_parent
1:	ret
	.cfi_endproc
	.size	vfork, .-vfork

	.section .note.GNU-stack,"",@progbits
